package broker_test

import (
	"fmt"

	"github.com/seismo-dev/seismo/broker"
)

// A throwaway broker on a free port with the default seismo topics.
func Example() {
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	fmt.Println(b.Addr() != "")
	// Output: true
}
