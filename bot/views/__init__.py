"""What coordinators do with people's views: questions in the coordinator's language, exports,
theme suggestions. Storage is in storage.repositories.view_inbox, .themes and .groups."""
