"""Writes of mailbox capture: messages and meetings captured, the review queue's decisions, the firm's
capture settings (client domains, clients left out) and the personal-data side (suppression)."""
