from multiprocessing import Queue
# 创建队列对象
q = Queue(5) # 可以自定义队列长度
# 往队列添加数据
q.put(111)
q.put(222)
q.put(333)
# print(q.full()) # False 判断队列是否已经存满
q.put(444)
q.put(555)
# print(q.full()) # Ture
q.put(666) # 超出数据存放极限 那么程序一致处于阻塞态 直到队列中有数据被取出
print(q.get_nowait()) # 队列中如果没有数据可取 直接报错
print(q.get()) # 超出数据获取极限 那么程序一致处于阻塞态 直到队列中有数据被添加
print(q.empty()) # 判断队列是否已经空了
"""
q.full()
q.empty()
q.get_nowait()
上述方法在多进程下不能准确使用(失效)!!!
正确
"""
