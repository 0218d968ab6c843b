"""The demo corpus: fictional case reviews, their sources and the script that builds them."""
