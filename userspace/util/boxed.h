// A value kept on the heap only once it exists, copied with its owner:
// for parts of a record that most records never have (a socket's journey
// histograms), 8 bytes in each instead of the part's size.
#pragma once

#include <memory>

namespace sockscope {

template <class T>
class Boxed {
 public:
  Boxed() = default;
  Boxed(const Boxed& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Boxed& operator=(const Boxed& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(Boxed&&) noexcept = default;

  explicit operator bool() const { return p_ != nullptr; }
  const T* operator->() const { return p_.get(); }
  T* operator->() { return p_.get(); }
  const T& operator*() const { return *p_; }
  T& operator*() { return *p_; }
  // The value, made (default) on first use.
  T& make() {
    if (!p_) p_ = std::make_unique<T>();
    return *p_;
  }
  void reset() { p_.reset(); }

 private:
  std::unique_ptr<T> p_;
};

}  // namespace sockscope
