"""The HTML side's machinery: rendering, the UI language, form fields, charts, assets."""
