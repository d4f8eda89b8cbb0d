"""One cache for many processes through Redis (``rtkq.redis``; needs ``rtkq[redis]``)."""
