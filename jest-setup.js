// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

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
