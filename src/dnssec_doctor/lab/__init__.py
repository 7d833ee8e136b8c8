"""The lab: a private DNS tree on loopback reproducing each failure of the guide."""
