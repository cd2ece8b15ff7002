"""The Didomi API client: typed models, sessions, retries and safe publishing."""
