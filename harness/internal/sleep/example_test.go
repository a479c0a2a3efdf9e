package sleep_test

import (
	"fmt"
	"time"

	"github.com/trafficsim/trafficsim/harness/internal/sleep"
)

func Example() {
	type user struct{ name string }
	woken := make(chan *user, 3)
	s := sleep.New(func(u *user) { woken <- u }) // wake must not block
	s.Start()
	defer s.Close()
	s.Sleep(&user{"third"}, 30*time.Millisecond)
	s.Sleep(&user{"first"}, 10*time.Millisecond)
	s.Sleep(&user{"second"}, 20*time.Millisecond)
	for range 3 {
		fmt.Println((<-woken).name)
	}
	// Output:
	// first
	// second
	// third
}
