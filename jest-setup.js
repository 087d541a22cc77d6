// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';
import { configure } from '@testing-library/react';

// findBy*/waitFor wait for their condition up to this long (Testing Library's default, 1 s, fails tests on a loaded
// machine while the condition is still on its way); a test that fails still fails, later.
configure({ asyncUtilTimeout: 30_000 });

// @grafana/ui's Combobox sizes its menu with canvas measureText; jsdom has no canvas (the scaffold's setup
// stubs getContext to return undefined). A fixed-width font model is enough for layout in tests.
HTMLCanvasElement.prototype.getContext = function getContext() {
  return {
    font: '',
    measureText: (text) => ({ width: String(text).length * 8 }),
  };
};

// Combobox's menu uses IntersectionObserver (scroll indicators), which jsdom lacks.
class NoopIntersectionObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
global.IntersectionObserver = global.IntersectionObserver || NoopIntersectionObserver;
