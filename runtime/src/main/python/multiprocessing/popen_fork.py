"""Start method 'fork': see popen_jvm and spawn for what it means in mp4j."""
from .popen_jvm import JvmPopen

__all__ = ['Popen']


class Popen(JvmPopen):
    method = 'fork'
