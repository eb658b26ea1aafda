"""Organizations' domain: organizations, memberships and the rules about roles. Pure Python."""
