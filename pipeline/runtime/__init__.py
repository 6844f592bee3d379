"""Process plumbing: the warm dbt and GX processes, the Spark hand-off, the garbage-collector pause, the
environment set for a while."""
