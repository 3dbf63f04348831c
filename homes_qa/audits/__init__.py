"""Monthly audits from versioned templates: findings, actions, grading, re-audits (issue 9)."""
