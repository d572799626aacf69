"""Understanding free text: intents (embedded classifier or Rasa) and language guesses."""
