"""Client accounts, engagements, users and their memberships."""
