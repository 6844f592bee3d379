-- published.scorecard_shareable: the scorecard built from indicator_values_shareable, so every
-- figure, comparison and RAG rests only on unsuppressed values (a suppressed month has no RAG
-- and its directions of travel are 'not comparable').
{{ scorecard(ref('indicator_values_shareable')) }}
