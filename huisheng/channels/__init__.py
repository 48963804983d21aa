"""Customer channels (website widget, WeChat) and how a message reaches the customer on theirs."""
