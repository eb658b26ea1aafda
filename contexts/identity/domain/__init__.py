"""Identity's domain: users, their profiles and the rules about them. Pure Python."""
