"""Keys for tests: obviously not real, long enough for storage.crypto's minimum."""

TEST_SECRET = "heard-test-secret-not-for-real-use-0000000000"
