from django.dispatch import Signal

# Sent after the transaction that approved a claim commits; kwargs: claim. The accords app
# can listen to prepare an accord draft.
claim_approved = Signal()
