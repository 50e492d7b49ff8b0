"""The info point: research results, funding calls, events and pilot opportunities."""
