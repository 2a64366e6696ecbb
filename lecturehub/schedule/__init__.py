"""The schedule: series, sessions, talks (讲学), the rotation of departments, calendar feeds."""
