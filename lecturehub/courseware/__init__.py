"""Courseware (课件): uploads, versions, the one-hour check, who has handed in what."""
