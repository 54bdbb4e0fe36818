import time, tracemalloc
from django.core.management import call_command
from findings.models import Finding
def test_explore(wpsr, client):
    call_command("generate_synthetic_data", findings=10000, verbosity=0)
    qs = Finding.objects.published().for_listing()[:10001]
    tracemalloc.start()
    items = list(qs)
    cur, peak = tracemalloc.get_traced_memory()
    print("10k rows with prefetch: MB", cur/1e6, peak/1e6, len(items))
    tracemalloc.stop()
    t=time.time(); r = client.get("/findings/?format=csv"); print("csv 10k time", time.time()-t, len(r.content))
