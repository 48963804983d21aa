"""Word-of-mouth alerts: negative mentions of an aspect, product or keyword rising above their own baseline."""
