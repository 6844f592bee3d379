"""Loading case-system extracts from the inbox into the raw layer of the build warehouse."""
