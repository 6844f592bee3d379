"""The Dagster code location: assets, checks, jobs, schedules, sensors, partitions, resources and
`definitions.py`, over the library (every other folder of pipeline/), which never imports it."""
