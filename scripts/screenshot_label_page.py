"""Screenshot of the annotator page of ``skactive label`` for the docs.

Starts a labeling session on the bundled digits in a temporary directory,
labels the initial set and two rounds through the session API (with the
true labels) so the live learning curve has points, opens the page in
headless Chromium at 1100 x 800, gives one label there and saves
``docs/_static/label_page.png``::

    python scripts/screenshot_label_page.py [--out docs/_static/label_page.png]

Needs selenium and Debian's chromium and chromedriver (the driver is given
explicitly: Selenium Manager downloads nothing).
"""

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time

from skactive import ActiveLearner
from skactive.datasets import load_dataset
from skactive.labeling import LabelingSession
from skactive.labeling import make_server

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, os.pardir, "docs", "_static", "label_page.png")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.normpath(DEFAULT_OUT))
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if chromium is None or chromedriver is None:
        sys.exit("needs chromium and chromedriver on PATH "
                 "(apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    data = load_dataset("digits", random_state=0)
    learner = ActiveLearner(batch_size=10, budget=100, initial_size=20,
                            random_state=0)
    with tempfile.TemporaryDirectory() as tmp:
        session = LabelingSession(
            os.path.join(tmp, "digits.sqlite"), data.X_train, learner,
            classes=sorted(set(data.y_train.tolist())),
            eval_set=(data.X_test, data.y_test))
        y = data.y_train
        for name, n in (("ada", 24), ("grace", 23)):
            for _ in range(n):
                [claim] = session.next_items(name)
                session.label(claim.row, int(y[claim.row]), annotator=name,
                              claim_id=claim.claim_id)
        server = make_server(session)
        thread = threading.Thread(target=server.serve_forever, args=(0.05,),
                                  daemon=True)
        thread.start()
        options = webdriver.ChromeOptions()
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--hide-scrollbars"):
            options.add_argument(arg)
        options.binary_location = chromium
        driver = webdriver.Chrome(service=Service(executable_path=chromedriver),
                                  options=options)
        try:
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": 1100, "height": 800, "deviceScaleFactor": 1,
                "mobile": False})
            driver.get(server.url + "?annotator=ada")
            wait = WebDriverWait(driver, 30)
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#item canvas"))
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#curve svg"))
            # One label given in the page, as an annotator would.
            row = driver.find_element(By.ID, "item").get_attribute("data-row")
            driver.find_element(
                By.CSS_SELECTOR, f'#buttons button[data-label="{y[int(row)]}"]'
            ).click()
            wait.until(lambda d: d.find_element(By.ID, "item").get_attribute(
                "data-row") != row and d.execute_script(
                "return document.body.dataset.busy") == "0")
            time.sleep(0.5)  # the progress bar's transition
            os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
            driver.save_screenshot(args.out)
        finally:
            driver.quit()
            server.shutdown()
            server.server_close()
            session.close()
    print(f"wrote {args.out} ({os.path.getsize(args.out) // 1024} KiB)")


if __name__ == "__main__":
    main()
