"""The "More" page: the service's other pages, so the header navigation fits on one row (issue 12)."""
