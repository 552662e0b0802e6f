/** The chat page in headless Chromium, driven through Selenium and Debian's chromedriver. */
@NullMarked
package io.webllm.sample.page;

import org.jspecify.annotations.NullMarked;
