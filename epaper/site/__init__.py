"""The site side: plan the pages and render them through the layouts."""
