"""The one transport layer every DNS packet goes through."""
