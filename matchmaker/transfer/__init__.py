"""Data in and out: sheets, the demo seeds, whole-database export and import, jobs."""
