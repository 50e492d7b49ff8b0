"""Reports per theme and per municipality, for the region and the EU pilot: page, XLSX, PDF."""
