"""The rule table's pages: timings and escalation ladders, edited by administrators."""
