# The article's snippet continues its first one, whose import it relies on:
from multiprocessing import Queue
# --- the article's code, verbatim ---
q=Queue(3) #先进先出
q.put_nowait('first') #q.put('first',block=False,)
q.put_nowait(2)
q.put_nowait(3)
# q.put_nowait(4)
print(q.get_nowait())
print(q.get_nowait())
print(q.get_nowait())
print(q.get_nowait())  # alternative: uncommented (raises queue.Empty)
