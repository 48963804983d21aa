"""What the JSON API and the dashboard page share about insights: reading the filter from a request's query
and turning the dashboard's figures into downloadable tables."""
