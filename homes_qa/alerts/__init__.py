"""Alert pages: alerts for me and my homes, with acknowledgement."""
