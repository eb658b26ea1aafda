"""The read-path benchmark (``make bench``): the app's invoice list against a plain-DRF
implementation of the same endpoint and against the framework's floor. Not part of the app."""
