"""Channel adapters: platform payloads in, neutral messages out, and back."""
