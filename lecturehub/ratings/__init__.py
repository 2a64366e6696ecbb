"""Ratings (评价): people who signed in rate the talks they heard; aggregates only, and only
from RATING_MIN_COUNT raters on, so the rating stays anonymous in a small group."""
