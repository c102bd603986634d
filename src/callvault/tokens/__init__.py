"""Personal API tokens, Sanctum style."""
