// SortedObjectMap: a map kept as one sorted vector of (key, value) pairs, with std::map's
// interface. It is `Value::Map` (common/value.h) and the object type of `Event`
// (agent/input/event.h, through nlohmann::basic_json's ObjectType parameter; nlohmann's own
// `ordered_map` shows the interface basic_json needs).
//
// Why: configs, variables and events are many small maps built once and read many times.
// std::map allocates a node per key and walks pointers; this allocates one buffer per map, walks
// it contiguously, and builders that insert in ascending key order append in constant time.
// Keys stay sorted by byte value, as std::map<std::string, ...> sorts them, so iteration order,
// JSON/YAML output and comparisons are the same as with std::map.
//
// Unlike std::map, inserting or erasing moves the elements after the position (and may move all
// of them): an iterator, pointer or reference into the map is invalidated by any insertion or
// erasure, as with std::vector. Do not hold one across an insert into the same map.
//
// Thread contract: thread-compatible, like std::map: const members never write, so a map that
// no one modifies can be read from many threads at once.
#ifndef GATEHOUSE_COMMON_SORTED_MAP_H_
#define GATEHOUSE_COMMON_SORTED_MAP_H_

#include <algorithm>
#include <cassert>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace gatehouse {

template <class Key, class T, class IgnoredLess = std::less<>,
          class Allocator = std::allocator<std::pair<const Key, T>>>
class SortedObjectMap {
 public:
  using key_type = Key;
  using mapped_type = T;
  // Not pair<const Key, T> as in std::map: a vector must move its elements to insert in the
  // middle. Nothing may change a key in place (the order would break).
  using value_type = std::pair<Key, T>;
  using allocator_type =
      typename std::allocator_traits<Allocator>::template rebind_alloc<value_type>;
  using Storage = std::vector<value_type, allocator_type>;
  using iterator = typename Storage::iterator;
  using const_iterator = typename Storage::const_iterator;
  using reverse_iterator = typename Storage::reverse_iterator;
  using const_reverse_iterator = typename Storage::const_reverse_iterator;
  using size_type = typename Storage::size_type;
  using difference_type = typename Storage::difference_type;
  using reference = value_type&;
  using const_reference = const value_type&;
  using pointer = value_type*;
  using const_pointer = const value_type*;
  // Transparent: lookups by string_view, const char* or std::string make no temporary key.
  using key_compare = std::less<>;

  SortedObjectMap() = default;
  explicit SortedObjectMap(const allocator_type& alloc) : items_(alloc) {}
  template <class It>
  SortedObjectMap(It first, It last, const allocator_type& alloc = allocator_type())
      : items_(alloc) {
    insert(first, last);
  }
  SortedObjectMap(std::initializer_list<value_type> init,
                  const allocator_type& alloc = allocator_type())
      : items_(alloc) {
    insert(init.begin(), init.end());
  }

  iterator begin() noexcept { return items_.begin(); }
  const_iterator begin() const noexcept { return items_.begin(); }
  const_iterator cbegin() const noexcept { return items_.cbegin(); }
  iterator end() noexcept { return items_.end(); }
  const_iterator end() const noexcept { return items_.end(); }
  const_iterator cend() const noexcept { return items_.cend(); }
  reverse_iterator rbegin() noexcept { return items_.rbegin(); }
  const_reverse_iterator rbegin() const noexcept { return items_.rbegin(); }
  reverse_iterator rend() noexcept { return items_.rend(); }
  const_reverse_iterator rend() const noexcept { return items_.rend(); }

  bool empty() const noexcept { return items_.empty(); }
  size_type size() const noexcept { return items_.size(); }
  size_type max_size() const noexcept { return items_.max_size(); }
  size_type capacity() const noexcept { return items_.capacity(); }
  // Builders that know how many keys an object gets reserve them: one allocation.
  void reserve(size_type n) { items_.reserve(n); }
  void clear() noexcept { items_.clear(); }
  void swap(SortedObjectMap& other) noexcept { items_.swap(other.items_); }
  allocator_type get_allocator() const { return items_.get_allocator(); }

  // Inserts (key, T(args...)) unless `key` is there; std::map's emplace/try_emplace semantics.
  template <class K, class... Args>
  std::pair<iterator, bool> emplace(K&& key, Args&&... args) {
    const std::string_view view = View(key);
    iterator it = LowerBound(view);
    if (it != items_.end() && it->first == view) return {it, false};
    return {Insert(it, std::forward<K>(key), std::forward<Args>(args)...), true};
  }
  template <class K, class... Args>
  std::pair<iterator, bool> try_emplace(K&& key, Args&&... args) {
    return emplace(std::forward<K>(key), std::forward<Args>(args)...);
  }
  // Constant time when `hint` is end() and `key` sorts after every key (how builders fill an
  // object); otherwise an ordinary emplace.
  template <class K, class... Args>
  iterator emplace_hint(const_iterator hint, K&& key, Args&&... args) {
    if (hint == items_.cend() && (items_.empty() || std::string_view(items_.back().first) <
                                                        View(key))) {
      return Insert(items_.end(), std::forward<K>(key), std::forward<Args>(args)...);
    }
    return emplace(std::forward<K>(key), std::forward<Args>(args)...).first;
  }

  // Appends (key, T(args...)) without looking at the other keys: for builders that fill an
  // object in ascending key order and know it (no compare per key). A key out of order breaks
  // the map's order: checked in debug builds only.
  template <class K, class... Args>
  T& AppendInOrder(K&& key, Args&&... args) {
    assert(items_.empty() || std::string_view(items_.back().first) < View(key));
    return items_
        .emplace_back(std::piecewise_construct,
                      std::forward_as_tuple(MakeKey(std::forward<K>(key))),
                      std::forward_as_tuple(std::forward<Args>(args)...))
        .second;
  }

  // Sets `key` to `obj`, inserting it when absent; std::map's insert_or_assign.
  template <class K, class M>
  std::pair<iterator, bool> insert_or_assign(K&& key, M&& obj) {
    const std::string_view view = View(key);
    iterator it = LowerBound(view);
    if (it != items_.end() && it->first == view) {
      it->second = std::forward<M>(obj);
      return {it, false};
    }
    return {Insert(it, std::forward<K>(key), std::forward<M>(obj)), true};
  }

  std::pair<iterator, bool> insert(const value_type& value) {
    return emplace(value.first, value.second);
  }
  std::pair<iterator, bool> insert(value_type&& value) {
    return emplace(std::move(value.first), std::move(value.second));
  }
  // Keeps the first of equal keys, as std::map does. Sorted input appends in constant time.
  template <class It, class = typename std::enable_if<std::is_convertible<
                          typename std::iterator_traits<It>::iterator_category,
                          std::input_iterator_tag>::value>::type>
  void insert(It first, It last) {
    if constexpr (std::is_convertible<typename std::iterator_traits<It>::iterator_category,
                                      std::forward_iterator_tag>::value) {
      items_.reserve(items_.size() + static_cast<size_type>(std::distance(first, last)));
    }
    for (; first != last; ++first) {
      auto&& item = *first;  // moved from when `It` is a move_iterator
      emplace_hint(items_.cend(), std::forward<decltype(item)>(item).first,
                   std::forward<decltype(item)>(item).second);
    }
  }

  template <class K>
  T& operator[](K&& key) {
    return emplace(std::forward<K>(key)).first->second;
  }
  template <class K>
  T& at(const K& key) {
    iterator it = find(key);
    if (it == items_.end()) throw std::out_of_range("key not found");
    return it->second;
  }
  template <class K>
  const T& at(const K& key) const {
    const_iterator it = find(key);
    if (it == items_.end()) throw std::out_of_range("key not found");
    return it->second;
  }

  template <class K>
  iterator find(const K& key) {
    const std::string_view view = View(key);
    iterator it = LowerBound(view);
    return it != items_.end() && it->first == view ? it : items_.end();
  }
  template <class K>
  const_iterator find(const K& key) const {
    return const_cast<SortedObjectMap*>(this)->find(key);
  }
  template <class K>
  iterator lower_bound(const K& key) {
    return LowerBound(View(key));
  }
  template <class K>
  const_iterator lower_bound(const K& key) const {
    return const_cast<SortedObjectMap*>(this)->LowerBound(View(key));
  }
  template <class K>
  iterator upper_bound(const K& key) {
    iterator it = LowerBound(View(key));
    return it != items_.end() && it->first == View(key) ? it + 1 : it;
  }
  template <class K>
  const_iterator upper_bound(const K& key) const {
    return const_cast<SortedObjectMap*>(this)->upper_bound(key);
  }
  template <class K>
  size_type count(const K& key) const {
    return find(key) == items_.end() ? 0 : 1;
  }
  template <class K>
  bool contains(const K& key) const {
    return find(key) != items_.end();
  }

  iterator erase(const_iterator pos) { return items_.erase(pos); }
  iterator erase(iterator pos) { return items_.erase(pos); }
  iterator erase(const_iterator first, const_iterator last) { return items_.erase(first, last); }
  template <class K, class = typename std::enable_if<
                         !std::is_convertible<const K&, const_iterator>::value>::type>
  size_type erase(const K& key) {
    iterator it = find(key);
    if (it == items_.end()) return 0;
    items_.erase(it);
    return 1;
  }

  friend bool operator==(const SortedObjectMap& a, const SortedObjectMap& b) {
    return a.items_ == b.items_;
  }
  friend bool operator!=(const SortedObjectMap& a, const SortedObjectMap& b) {
    return a.items_ != b.items_;
  }
  // Lexicographic over sorted pairs: the same order as std::map's operator<.
  friend bool operator<(const SortedObjectMap& a, const SortedObjectMap& b) {
    return a.items_ < b.items_;
  }
  friend bool operator<=(const SortedObjectMap& a, const SortedObjectMap& b) { return !(b < a); }
  friend bool operator>(const SortedObjectMap& a, const SortedObjectMap& b) { return b < a; }
  friend bool operator>=(const SortedObjectMap& a, const SortedObjectMap& b) { return !(a < b); }

 private:
  // Any key type: std::string, string_view, const char*, char arrays, or a string_view-like
  // type with data() and size() (absl::string_view).
  template <class K>
  static std::string_view View(const K& key) {
    if constexpr (std::is_convertible<const K&, std::string_view>::value) {
      return std::string_view(key);
    } else {
      return std::string_view(key.data(), key.size());
    }
  }
  template <class K>
  static decltype(auto) MakeKey(K&& key) {
    if constexpr (std::is_same<std::decay_t<K>, Key>::value) {
      return std::forward<K>(key);
    } else {
      const std::string_view view = View(key);
      return Key(view.data(), view.size());
    }
  }

  iterator LowerBound(std::string_view key) {
    // Builders append in order: check the end first.
    if (items_.empty() || std::string_view(items_.back().first) < key) return items_.end();
    return std::lower_bound(items_.begin(), items_.end(), key,
                            [](const value_type& item, std::string_view k) {
                              return std::string_view(item.first) < k;
                            });
  }

  template <class K, class... Args>
  iterator Insert(iterator pos, K&& key, Args&&... args) {
    return items_.emplace(pos, std::piecewise_construct,
                          std::forward_as_tuple(MakeKey(std::forward<K>(key))),
                          std::forward_as_tuple(std::forward<Args>(args)...));
  }

  Storage items_;
};

}  // namespace gatehouse

#endif  // GATEHOUSE_COMMON_SORTED_MAP_H_
