"""Feeds: the personal calendar (iCalendar) and the page that issues and revokes its address."""
