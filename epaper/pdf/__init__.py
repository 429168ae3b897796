"""Printed pages as PDFs: the page image rendered from the PDF, and the articles found on it."""
