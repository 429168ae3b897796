"""The output side of a build: the staging folder, the swap and the record of what was built."""
