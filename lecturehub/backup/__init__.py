"""Backup and restore of a whole LectureHub: the database (a consistent snapshot), every stored
file and a manifest of SHA-256 sums in one archive (``lecturehub backup FILE`` /
``lecturehub restore FILE``). The search index is not in it: a restore rebuilds it."""
