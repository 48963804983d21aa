"""Clients for the services Huisheng talks to over the network, one module each."""
