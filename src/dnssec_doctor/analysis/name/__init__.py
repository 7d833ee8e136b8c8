"""The name itself: its status in its zone, whether it exists, CNAME and DNAME aliases."""
