from multiprocessing import Event
# 创建一个事件的对象
e = Event()
print(e.is_set()) # 在事件的创始之初,状态为False
