"""The brain: the safety screen, understanding, the protocol steps and memory. It never imports audio code."""
import os

# numpy's OpenBLAS (the sentence embeddings, the risk and turn models) would otherwise start a thread per core for
# each small matrix product and fight Whisper and Piper for the same two cores: the safety screen took 92 ms a turn
# that way on a busy machine, 31 ms on one thread; one embedding alone takes 14.5 ms on one thread, 16.9 ms on two,
# at half the CPU. Set here, before any door or test loads numpy; an OPENBLAS_NUM_THREADS already set wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
